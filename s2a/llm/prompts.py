"""What the language models read and write.

Fine-tuning (`llm`): a plain completion prompt, `Reaction: <SMILES>\\nActions:`, followed by
` <tgt line><eos>`. The SMILES is the untokenised canonical reaction (the order of its precursors is
the order `$k$` refers to), the answer exactly a `tgt` line.

Fine-tuning on ChemActor's text tasks (`s2a tasks train llm`, s2a.formats.tasks): one prompt per
kind of task, an instruction line then the source, e.g. `Write the actions of this procedure.\\n
Procedure: <text>\\nActions:`; the answer is again ` <tgt line><eos>` (`task_prompt`).

Endpoint (`llm-endpoint`): chat messages: a system message describing the action format (zero-shot),
then k retrieved training examples as user/assistant turns (few-shot), then the query.

Answers are read back with paragraph2actions' ReadableConverter (s2a.formats.targets.parses):
an answer that does not convert is invalid (None), never an exception.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache

from paragraph2actions import actions as p2a_actions

from s2a.formats.targets import parses, reaction_counts
from s2a.formats.tasks import Kind, Task
from s2a.procedure import default_range_values
from s2a.formats.tokenization import ACTION_SEPARATOR, detokenize_smiles
from s2a.models.retrieval_input import split_line

PROMPT_PREFIX = "Reaction: "
COMPOUNDS_MARK = "\nCompounds: "
NEIGHBOUR_MARK = "\nSimilar reaction: "
ANSWER_MARK = "\nActions:"

Example = tuple[str, str]  # (tokenised src line, tgt line)


def finetune_prompt(src: str) -> str:
    """The text the fine-tuned model continues:
    'Reaction: CC(=O)Cl.OCC>>CCOC(C)=O\\nCompounds: $1$ $2$ >> $-1$\\nActions:'; a source line
    with its nearest training neighbour's sequence (s2a.models.retrieval_input) adds
    '\\nSimilar reaction: ADD $1$ ; …' before 'Actions:'."""
    reaction, neighbour = split_line(src)
    n, m = reaction_counts(reaction)
    compounds = " ".join([f"${k}$" for k in range(1, n + 1)] + [">>"] + [f"$-{k}$" for k in range(1, m + 1)])
    similar = f"{NEIGHBOUR_MARK}{neighbour}" if neighbour else ""
    return f"{PROMPT_PREFIX}{detokenize_smiles(reaction)}{COMPOUNDS_MARK}{compounds}{similar}{ANSWER_MARK}"


def finetune_answer(tgt: str) -> str:
    """The continuation trained on (the end-of-sequence token is appended by the tokenizer step)."""
    return " " + tgt.strip()


@dataclass(frozen=True)
class PromptFormat:
    """How a fine-tuned model reads one kind of pair: the prompt it continues and the answer it
    is trained on. `describe()` goes into the run key, so a changed prompt retrains."""

    name: str
    prompt: Callable[[str], str]
    template: str = ""  # the prompt's fixed text, for the run key ('' for S2A: keys of before stay)

    def answer(self, tgt: str) -> str:
        return finetune_answer(tgt)

    def describe(self) -> str:
        return f"{self.name}: {self.template}" if self.template else ""


S2A_PROMPT = PromptFormat("s2a", finetune_prompt)

# (source kind, target kind) -> (instruction, source label, answer mark), for text_prompt.
TEXT_PROMPTS: dict[tuple[Kind, Kind], tuple[str, str, str]] = {
    ("text", "actions"): ("Write the actions of this procedure.", "Procedure: ", "\nActions:"),
    ("reaction", "text"): ("Write the experimental procedure of this reaction.", "Reaction: ", "\nProcedure:"),
    ("actions", "text"): ("Write the experimental procedure of these actions.", "Actions: ", "\nProcedure:"),
}


def task_prompt(task: Task) -> PromptFormat:
    """The prompt of a task: S2A's for `s2a`, else its kind's instruction and labels (a reaction
    source is written as untokenised SMILES, text and actions as they are)."""
    if (task.source, task.target) == ("reaction", "actions"):
        return S2A_PROMPT
    instruction, label, mark = TEXT_PROMPTS[(task.source, task.target)]
    smiles = task.source == "reaction"

    def prompt(src: str) -> str:
        return f"{instruction}\n{label}{detokenize_smiles(src) if smiles else src.strip()}{mark}"

    return PromptFormat(f"{task.source}->{task.target}", prompt, f"{instruction}|{label}|{mark}")


# Action classes that mark a procedure the data pipeline filters out; never a valid answer.
_NOT_PREDICTED = {"FOLLOWOTHERPROCEDURE", "INVALIDACTION", "NOACTION", "OTHERLANGUAGE"}


@lru_cache(maxsize=1)
def action_names() -> list[str]:
    """Upper-case names of paragraph2actions' action classes (ADD, STIR, ...), as in `tgt` lines."""
    return sorted(
        name for cls in vars(p2a_actions).values()
        if isinstance(cls, type) and issubclass(cls, p2a_actions.Action) and cls is not p2a_actions.Action
        and (name := cls.__name__.upper()) not in _NOT_PREDICTED
    )


def instructions() -> str:
    """The zero-shot system message: the output format, its tokens and the action vocabulary."""
    ranges = default_range_values()
    temps = ", ".join(f"#{k}# ≈ {v}" for k, v in sorted(ranges.temperatures.items()))
    durations = ", ".join(f"@{k}@ ≈ {v}" for k, v in sorted(ranges.durations.items()))
    return (
        "You are an experienced synthetic chemist. Given a reaction SMILES 'precursors>>products' "
        "(compounds separated by '.', fragments of one salt joined by '~'), write the experimental "
        "procedure as one line of lab actions separated by ' ; '.\n"
        "Refer to the k-th precursor (1-based, in the order given) as $k$ and to the k-th product as "
        "$-k$; never write SMILES or names for them. Other materials (solvents for work-up, drying "
        "agents) are written by name.\n"
        f"Temperatures are range tokens: {temps}. Durations are range tokens: {durations}.\n"
        f"Action types: {', '.join(action_names())}.\n"
        "Examples of actions: ADD $1$ ; ADD $2$ dropwise at #3# ; STIR for @2@ at #4# ; "
        "EXTRACT with ethyl acetate ; COLLECTLAYER organic ; DRYSOLUTION over Na2SO4 ; "
        "FILTER keep filtrate ; CONCENTRATE ; PURIFY ; YIELD $-1$\n"
        "The last action is YIELD $-1$. Answer with the action line only."
    )


def chat_messages(src: str, examples: Sequence[Example] = ()) -> list[dict[str, str]]:
    """System instructions, then each example as a user/assistant turn, then the query."""
    messages = [{"role": "system", "content": instructions()}]
    for ex_src, ex_tgt in examples:
        messages.append({"role": "user", "content": f"{PROMPT_PREFIX}{detokenize_smiles(ex_src)}"})
        messages.append({"role": "assistant", "content": ex_tgt.strip()})
    messages.append({"role": "user", "content": f"{PROMPT_PREFIX}{detokenize_smiles(src)}"})
    return messages


def first_line(text: str) -> str:
    """The first non-empty line, stripped ('' if none): predictions are one line per reaction."""
    return next((ln.strip() for ln in text.splitlines() if ln.strip()), "")


def parse_answer(text: str) -> str | None:
    """The `tgt` line in a model's answer, whitespace-normalised; None if it does not convert.

    Tolerated: surrounding whitespace, a leading 'Actions:' label, code fences and inline
    backticks, irregular spaces around ';'. The first non-empty line is the answer.
    """
    unfenced = (ln.strip().strip("`") for ln in text.splitlines() if not ln.strip().startswith("```"))
    line = first_line("\n".join(unfenced))
    if line.lower().startswith("actions:"):
        line = line[len("actions:"):]
    parts = [a.strip() for a in line.split(";") if a.strip()]
    if not parts:
        return None
    # Validated by reading it into actions (not re-written from them: paragraph2actions' writer
    # compares typing objects by identity, which fails once typing's cache hands out a fresh
    # Optional[str]: seen under pytest).
    normalised = ACTION_SEPARATOR.join(" ".join(a.split()) for a in parts)
    return normalised if parses(normalised) else None
