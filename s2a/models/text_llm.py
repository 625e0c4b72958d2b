"""The `llm` family on ChemActor's tasks with text (s2a.formats.tasks): d2a, d2a-sentence, d2a-gold
(text -> actions), a2d (actions -> text), r2d (reaction SMILES -> text).

The S2A LLM (s2a.models.llm, the work done in s2a.llm.finetune) with what the task decides:
- the prompt: one per kind of task (s2a.llm.prompts.task_prompt), the answer a `tgt` line;
- the profile: `cpu` reads configs/llm-text-cpu.yaml (`text-<name>`; a .yaml path as is), with its
  `tasks:` entry for the task merged over it (sentences and paragraphs differ in length);
- no re-ranking (positional-token validity means nothing for these targets): a profile must say
  `ranking: null`, and no split sample (`s2a tasks predict` decodes the whole split).
`init_from` (`s2a tasks train llm --task d2a-gold --init-from models/tasks/d2a-sentence/llm`)
starts from another fine-tuned model's weights; its identity is in the run key.
"""
from __future__ import annotations

from typing import Any, Optional

from s2a import config
from s2a.errors import ConfigError, UnknownTask
from s2a.formats.tasks import Task, task as task_spec
from s2a.llm.config import LLMConfig, load_llm_config
from s2a.llm.prompts import PromptFormat, task_prompt
from s2a.models.base import ModelPaths
from s2a.models.llm import LLMModel
from s2a.models.text_transformer import text_profile, text_tasks


class TextLLMModel(LLMModel):
    name = "llm"

    def __init__(self, paths: ModelPaths, profile: str = "cpu", seed: int = 42, task: str = "d2a") -> None:
        if task not in text_tasks():
            raise UnknownTask(task, text_tasks())
        self.task: Task = task_spec(task)
        super().__init__(paths, profile, seed)

    def _load_config(self, profile: str) -> LLMConfig:
        settings = load_llm_config(text_profile(profile), self.task.name)
        if settings.ranking is not None:
            where = str(config.profile_file("llm", text_profile(profile)))
            raise ConfigError(where, "positional-token ranking is for S2A targets: set ranking: null", key="ranking")
        return settings

    def prompt_format(self) -> PromptFormat:
        return task_prompt(self.task)

    def split_limit(self) -> Optional[int]:
        return None

    def describe(self) -> dict[str, Any]:
        info = {**super().describe(), "task": self.task.name, "prompt": self.prompt_format().name,
                "max_length": self.config.train.max_length}
        from s2a.llm.finetune import read_meta

        trained = read_meta(self.paths.work_dir / "final") or {}
        parent = trained.get("init_from")
        if parent:
            info["init_from"] = parent["path"]
        return info
