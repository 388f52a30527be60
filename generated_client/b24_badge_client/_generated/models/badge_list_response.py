from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.badge_list_result import BadgeListResult
    from ..models.time import Time


T = TypeVar("T", bound="BadgeListResponse")


@_attrs_define
class BadgeListResponse:
    """Success answer of crm.activity.badge.list.

    Attributes:
        result (BadgeListResult): The `result` of list (D-RESULT-IS-OBJECT).
        time (Time): Timing of the request, present in every answer of a cloud portal
            (docs api-reference/data-types.md#time). The set of fields "may differ depending on the
            method and environment": the six below are always seen, `operating` and
            `operating_reset_at` only sometimes (D-TIME-FIELDS). Seconds may arrive as integers
            (`"operating": 0` in every badge example), so numbers are not integer-restricted.
        total (int | Unset): Number of badges; sent by newer portals only (D-LIST-PAGINATION).
        next_ (int | Unset): Offset of the next page, the generic list-method field (docs settings/how-to-call-rest-
            api/list-methods-pecularities.md); not expected here.
    """

    result: BadgeListResult
    time: Time
    total: int | Unset = UNSET
    next_: int | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        result = self.result.to_dict()

        time = self.time.to_dict()

        total = self.total

        next_ = self.next_

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "result": result,
                "time": time,
            }
        )
        if total is not UNSET:
            field_dict["total"] = total
        if next_ is not UNSET:
            field_dict["next"] = next_

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.badge_list_result import BadgeListResult
        from ..models.time import Time

        d = dict(src_dict)
        result = BadgeListResult.from_dict(d.pop("result"))

        time = Time.from_dict(d.pop("time"))

        total = d.pop("total", UNSET)

        next_ = d.pop("next", UNSET)

        badge_list_response = cls(
            result=result,
            time=time,
            total=total,
            next_=next_,
        )

        badge_list_response.additional_properties = d
        return badge_list_response

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
