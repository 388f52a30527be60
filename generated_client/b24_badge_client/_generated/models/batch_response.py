from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.batch_result import BatchResult
    from ..models.time import Time


T = TypeVar("T", bound="BatchResponse")


@_attrs_define
class BatchResponse:
    """Success answer of batch, whatever its commands did.

    Attributes:
        result (BatchResult): The `result` of batch: each part keyed by command name. Which schema each entry has is
            stated by the operation's `x-b24-command-results` (D-BATCH-SHAPES).
        time (Time): Timing of the request, present in every answer of a cloud portal
            (docs api-reference/data-types.md#time). The set of fields "may differ depending on the
            method and environment": the six below are always seen, `operating` and
            `operating_reset_at` only sometimes (D-TIME-FIELDS). Seconds may arrive as integers
            (`"operating": 0` in every badge example), so numbers are not integer-restricted.
    """

    result: BatchResult
    time: Time
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        result = self.result.to_dict()

        time = self.time.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "result": result,
                "time": time,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.batch_result import BatchResult
        from ..models.time import Time

        d = dict(src_dict)
        result = BatchResult.from_dict(d.pop("result"))

        time = Time.from_dict(d.pop("time"))

        batch_response = cls(
            result=result,
            time=time,
        )

        batch_response.additional_properties = d
        return batch_response

    @property
    def additional_keys(self) -> list[str]:
        return list(self.additional_properties.keys())

    def __getitem__(self, key: str) -> Any:
        return self.additional_properties[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self.additional_properties[key] = value

    def __delitem__(self, key: str) -> None:
        del self.additional_properties[key]

    def __contains__(self, key: str) -> bool:
        return key in self.additional_properties
