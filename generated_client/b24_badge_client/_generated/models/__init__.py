"""Contains all the data models used in inputs/outputs"""

from .badge import Badge
from .badge_add_request import BadgeAddRequest
from .badge_code_request import BadgeCodeRequest
from .badge_delete_response import BadgeDeleteResponse
from .badge_list_request import BadgeListRequest
from .badge_list_response import BadgeListResponse
from .badge_list_result import BadgeListResult
from .badge_response import BadgeResponse
from .badge_result import BadgeResult
from .badge_type import BadgeType
from .batch_commands_type_0 import BatchCommandsType0
from .batch_entries_type_0 import BatchEntriesType0
from .batch_halt_type_1 import BatchHaltType1
from .batch_request import BatchRequest
from .batch_response import BatchResponse
from .batch_result import BatchResult
from .error import Error
from .language_map import LanguageMap
from .time import Time

__all__ = (
    "Badge",
    "BadgeAddRequest",
    "BadgeCodeRequest",
    "BadgeDeleteResponse",
    "BadgeListRequest",
    "BadgeListResponse",
    "BadgeListResult",
    "BadgeResponse",
    "BadgeResult",
    "BadgeType",
    "BatchCommandsType0",
    "BatchEntriesType0",
    "BatchHaltType1",
    "BatchRequest",
    "BatchResponse",
    "BatchResult",
    "Error",
    "LanguageMap",
    "Time",
)
