"""s2a.llm.prompts: what the LLMs read, and reading their answers back into actions."""
from __future__ import annotations

from pathlib import Path

from s2a.llm.prompts import action_names, chat_messages, finetune_answer, finetune_prompt, instructions, parse_answer
from s2a.models.retrieval_input import augment
from sample import sample_prefix

FIXTURE = sample_prefix(40)
SRC = (FIXTURE / "src-train.txt").read_text(encoding="utf-8").splitlines()
TGT = (FIXTURE / "tgt-train.txt").read_text(encoding="utf-8").splitlines()


def test_finetune_prompt_is_the_untokenised_reaction() -> None:
    src = "C C ( = O ) Cl . C C O >> C C O C ( C ) = O"
    assert finetune_prompt(src) == "Reaction: CC(=O)Cl.CCO>>CCOC(C)=O\nCompounds: $1$ $2$ >> $-1$\nActions:"
    salt = "C C ( = O ) [O-] ~ [Na+] . C C O . O >> C C O C ( C ) = O . O"
    assert finetune_prompt(salt).endswith("\nCompounds: $1$ $2$ $3$ >> $-1$ $-2$\nActions:")
    assert finetune_answer("ADD $1$ ; YIELD $-1$ ") == " ADD $1$ ; YIELD $-1$"


def test_a_neighbour_sequence_goes_into_the_prompt_and_not_into_the_counts() -> None:
    src = "C C ( = O ) Cl . C C O >> C C O C ( C ) = O"
    line = augment(src, "ADD $1$ ; ADD $2$ ; ADD $3$ ; YIELD $-2$")
    assert finetune_prompt(line) == ("Reaction: CC(=O)Cl.CCO>>CCOC(C)=O\nCompounds: $1$ $2$ >> $-1$\n"
                                     "Similar reaction: ADD $1$ ; ADD $2$ ; ADD $3$ ; YIELD $-2$\nActions:")
    assert finetune_prompt(augment(src, "")) == finetune_prompt(src)  # a reaction without a neighbour


def test_every_fixture_target_parses_to_itself() -> None:
    assert all(parse_answer(t) == t for t in TGT)


def test_parse_answer_tolerates_formatting_and_rejects_prose() -> None:
    assert parse_answer("Actions: ADD $1$;STIR for @2@ at #4# ;YIELD $-1$\nThis is a coupling.") == \
        "ADD $1$ ; STIR for @2@ at #4# ; YIELD $-1$"
    assert parse_answer("```\nADD $1$ ; YIELD $-1$\n```") == "ADD $1$ ; YIELD $-1$"
    assert parse_answer("```text\n`ADD $1$ ; YIELD $-1$`\n```") == "ADD $1$ ; YIELD $-1$"
    assert parse_answer("Sure! First you mix the two compounds.") is None
    assert parse_answer("ADD $1$ ; MIX thoroughly") is None
    assert parse_answer("") is None and parse_answer(" ; ; ") is None


def test_chat_messages_hold_examples_as_turns() -> None:
    messages = chat_messages(SRC[0], [(SRC[1], TGT[1]), (SRC[2], TGT[2])])
    assert [m["role"] for m in messages] == ["system", "user", "assistant", "user", "assistant", "user"]
    assert messages[0]["content"] == instructions()
    assert messages[2]["content"] == TGT[1] and messages[-1]["content"] == f"Reaction: {''.join(SRC[0].split())}"
    assert [m["role"] for m in chat_messages(SRC[0])] == ["system", "user"]


def test_instructions_name_the_format() -> None:
    text = instructions()
    for token in ("$k$", "$-k$", "#1#", "#6#", "@1@", "@5@", " ; ", "YIELD $-1$"):
        assert token in text
    names = action_names()
    assert {"ADD", "STIR", "YIELD", "DRYSOLUTION"} <= set(names) and "INVALIDACTION" not in names
    assert all(t.split()[0] in names for line in TGT for t in line.split(" ; "))
