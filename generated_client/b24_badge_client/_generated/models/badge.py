from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.badge_type import BadgeType

if TYPE_CHECKING:
    from ..models.language_map import LanguageMap


T = TypeVar("T", bound="Badge")


@_attrs_define
class Badge:
    """A badge record (docs BADGES/index.md "Поля записи о бейдже").

    Attributes:
        code (str): Badge code, unique on the portal, e.g. `missedCall`. Badges are read and deleted by code, not by id
            (docs BADGES/index.md).
        title (LanguageMap | str): A plain string, or a map of language code to text (D-LOCALIZED-TEXT). A portal shows
            the current language, else English, else the first entry (docs BADGES/index.md).
        value (LanguageMap | str): A plain string, or a map of language code to text (D-LOCALIZED-TEXT). A portal shows
            the current language, else English, else the first entry (docs BADGES/index.md).
        type_ (BadgeType): Colour of the icon: success (green), failure (red), warning (yellow), primary (blue),
            secondary (grey). The docs list exactly these five (docs BADGES/index.md "Тип бейджа", docs:en "Badge Type"). A
            value outside the list is a contract violation (D-BADGE-TYPE).
    """

    code: str
    title: LanguageMap | str
    value: LanguageMap | str
    type_: BadgeType
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.language_map import LanguageMap

        code = self.code

        title: dict[str, Any] | str
        if isinstance(self.title, LanguageMap):
            title = self.title.to_dict()
        else:
            title = self.title

        value: dict[str, Any] | str
        if isinstance(self.value, LanguageMap):
            value = self.value.to_dict()
        else:
            value = self.value

        type_ = self.type_.value

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "code": code,
                "title": title,
                "value": value,
                "type": type_,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.language_map import LanguageMap

        d = dict(src_dict)
        code = d.pop("code")

        def _parse_title(data: object) -> LanguageMap | str:
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                componentsschemas_localized_text_type_1 = LanguageMap.from_dict(data)

                return componentsschemas_localized_text_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(LanguageMap | str, data)

        title = _parse_title(d.pop("title"))

        def _parse_value(data: object) -> LanguageMap | str:
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                componentsschemas_localized_text_type_1 = LanguageMap.from_dict(data)

                return componentsschemas_localized_text_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(LanguageMap | str, data)

        value = _parse_value(d.pop("value"))

        type_ = BadgeType(d.pop("type"))

        badge = cls(
            code=code,
            title=title,
            value=value,
            type_=type_,
        )

        badge.additional_properties = d
        return badge

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
