"""Why a record was dropped. Every record read is either kept or counted under exactly one reason."""
from __future__ import annotations

import enum


class Reason(str, enum.Enum):
    MALFORMED_RECORD = "malformed record"  # only with --on-error skip; listed in the errors file
    UNPARSABLE_SMILES = "unparsable SMILES"
    NO_ACTIONS = "no actions available"
    # The paper's forbidden actions, one reason each (Table 2 counts them apart).
    INVALID_ACTION = "InvalidAction"
    FOLLOW_OTHER_PROCEDURE = "FollowOtherProcedure"
    OTHER_LANGUAGE = "OtherLanguage"
    UNREADABLE_CONDITION = "unreadable temperature/duration"
    UNMAPPED_COMPOUND = "molecule or name that cannot be mapped"
    UNUSED_COMPOUND = "compound of the equation not in the actions"
    MULTI_STEP = "several reaction steps"
    TOO_FEW_ACTIONS = "fewer than 5 actions"
    DUPLICATE = "duplicate reaction SMILES"


class Dropped(Exception):
    """Raised by a standardisation step: the record is filtered out for `reason`.

    Not an error: the pipeline counts it in the drop table. `detail` names the offending value.
    """

    def __init__(self, reason: Reason, detail: str = "") -> None:
        super().__init__(f"{reason.value}: {detail}" if detail else reason.value)
        self.reason = reason
        self.detail = detail
