from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.badge import Badge


T = TypeVar("T", bound="BadgeResult")


@_attrs_define
class BadgeResult:
    """The `result` of add and get (D-RESULT-IS-OBJECT).

    Attributes:
        badge (Badge): A badge record (docs BADGES/index.md "Поля записи о бейдже").
    """

    badge: Badge
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        badge = self.badge.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "badge": badge,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.badge import Badge

        d = dict(src_dict)
        badge = Badge.from_dict(d.pop("badge"))

        badge_result = cls(
            badge=badge,
        )

        badge_result.additional_properties = d
        return badge_result

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
