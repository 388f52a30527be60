from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="Time")


@_attrs_define
class Time:
    """Timing of the request, present in every answer of a cloud portal
    (docs api-reference/data-types.md#time). The set of fields "may differ depending on the
    method and environment": the six below are always seen, `operating` and
    `operating_reset_at` only sometimes (D-TIME-FIELDS). Seconds may arrive as integers
    (`"operating": 0` in every badge example), so numbers are not integer-restricted.

        Attributes:
            start (float): Unix timestamp, with fractions, when the request started.
            finish (float): Unix timestamp, with fractions, when the request finished.
            duration (float): finish - start, in seconds.
            processing (float): Processing time, in seconds.
            date_start (datetime.datetime): ISO-8601 date-time with offset of `start`, e.g. `2025-01-21T13:47:08+02:00`.
            date_finish (datetime.datetime): ISO-8601 date-time with offset of `finish`.
            operating (float | Unset): Seconds this method has used in the last 10 minutes for this application or webhook
                (the resource limit; docs settings/performance/limits.md). Cloud portals only.
            operating_reset_at (float | Unset): Unix timestamp when the oldest one-minute bucket of `operating` expires;
                usually an integer (docs api-reference/data-types.md#time).
    """

    start: float
    finish: float
    duration: float
    processing: float
    date_start: datetime.datetime
    date_finish: datetime.datetime
    operating: float | Unset = UNSET
    operating_reset_at: float | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        start = self.start

        finish = self.finish

        duration = self.duration

        processing = self.processing

        date_start = self.date_start.isoformat()

        date_finish = self.date_finish.isoformat()

        operating = self.operating

        operating_reset_at = self.operating_reset_at

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "start": start,
                "finish": finish,
                "duration": duration,
                "processing": processing,
                "date_start": date_start,
                "date_finish": date_finish,
            }
        )
        if operating is not UNSET:
            field_dict["operating"] = operating
        if operating_reset_at is not UNSET:
            field_dict["operating_reset_at"] = operating_reset_at

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        start = d.pop("start")

        finish = d.pop("finish")

        duration = d.pop("duration")

        processing = d.pop("processing")

        date_start = datetime.datetime.fromisoformat(d.pop("date_start"))

        date_finish = datetime.datetime.fromisoformat(d.pop("date_finish"))

        operating = d.pop("operating", UNSET)

        operating_reset_at = d.pop("operating_reset_at", UNSET)

        time = cls(
            start=start,
            finish=finish,
            duration=duration,
            processing=processing,
            date_start=date_start,
            date_finish=date_finish,
            operating=operating,
            operating_reset_at=operating_reset_at,
        )

        time.additional_properties = d
        return time

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
