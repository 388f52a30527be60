from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.batch_entries_type_0 import BatchEntriesType0


T = TypeVar("T", bound="BatchResult")


@_attrs_define
class BatchResult:
    """The `result` of batch: each part keyed by command name. Which schema each entry has is stated by the operation's
    `x-b24-command-results` (D-BATCH-SHAPES).

        Attributes:
            result (BatchEntriesType0 | list[Any]): Entries by command name: an object, or, when every name is a list index
                and nothing is in it, PHP's empty array `[]`; for a list of commands a JSON list (D-BATCH-SHAPES).
            result_error (BatchEntriesType0 | list[Any]): Entries by command name: an object, or, when every name is a list
                index and nothing is in it, PHP's empty array `[]`; for a list of commands a JSON list (D-BATCH-SHAPES).
            result_total (BatchEntriesType0 | list[Any]): Entries by command name: an object, or, when every name is a list
                index and nothing is in it, PHP's empty array `[]`; for a list of commands a JSON list (D-BATCH-SHAPES).
            result_next (BatchEntriesType0 | list[Any]): Entries by command name: an object, or, when every name is a list
                index and nothing is in it, PHP's empty array `[]`; for a list of commands a JSON list (D-BATCH-SHAPES).
            result_time (BatchEntriesType0 | list[Any]): Entries by command name: an object, or, when every name is a list
                index and nothing is in it, PHP's empty array `[]`; for a list of commands a JSON list (D-BATCH-SHAPES).
    """

    result: BatchEntriesType0 | list[Any]
    result_error: BatchEntriesType0 | list[Any]
    result_total: BatchEntriesType0 | list[Any]
    result_next: BatchEntriesType0 | list[Any]
    result_time: BatchEntriesType0 | list[Any]
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.batch_entries_type_0 import BatchEntriesType0

        result: dict[str, Any] | list[Any]
        if isinstance(self.result, BatchEntriesType0):
            result = self.result.to_dict()
        else:
            result = self.result

        result_error: dict[str, Any] | list[Any]
        if isinstance(self.result_error, BatchEntriesType0):
            result_error = self.result_error.to_dict()
        else:
            result_error = self.result_error

        result_total: dict[str, Any] | list[Any]
        if isinstance(self.result_total, BatchEntriesType0):
            result_total = self.result_total.to_dict()
        else:
            result_total = self.result_total

        result_next: dict[str, Any] | list[Any]
        if isinstance(self.result_next, BatchEntriesType0):
            result_next = self.result_next.to_dict()
        else:
            result_next = self.result_next

        result_time: dict[str, Any] | list[Any]
        if isinstance(self.result_time, BatchEntriesType0):
            result_time = self.result_time.to_dict()
        else:
            result_time = self.result_time

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "result": result,
                "result_error": result_error,
                "result_total": result_total,
                "result_next": result_next,
                "result_time": result_time,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.batch_entries_type_0 import BatchEntriesType0

        d = dict(src_dict)

        def _parse_result(data: object) -> BatchEntriesType0 | list[Any]:
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                componentsschemas_batch_entries_type_0 = BatchEntriesType0.from_dict(data)

                return componentsschemas_batch_entries_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            if not isinstance(data, list):
                raise TypeError()
            componentsschemas_batch_entries_type_1 = cast(list[Any], data)

            return componentsschemas_batch_entries_type_1

        result = _parse_result(d.pop("result"))

        def _parse_result_error(data: object) -> BatchEntriesType0 | list[Any]:
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                componentsschemas_batch_entries_type_0 = BatchEntriesType0.from_dict(data)

                return componentsschemas_batch_entries_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            if not isinstance(data, list):
                raise TypeError()
            componentsschemas_batch_entries_type_1 = cast(list[Any], data)

            return componentsschemas_batch_entries_type_1

        result_error = _parse_result_error(d.pop("result_error"))

        def _parse_result_total(data: object) -> BatchEntriesType0 | list[Any]:
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                componentsschemas_batch_entries_type_0 = BatchEntriesType0.from_dict(data)

                return componentsschemas_batch_entries_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            if not isinstance(data, list):
                raise TypeError()
            componentsschemas_batch_entries_type_1 = cast(list[Any], data)

            return componentsschemas_batch_entries_type_1

        result_total = _parse_result_total(d.pop("result_total"))

        def _parse_result_next(data: object) -> BatchEntriesType0 | list[Any]:
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                componentsschemas_batch_entries_type_0 = BatchEntriesType0.from_dict(data)

                return componentsschemas_batch_entries_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            if not isinstance(data, list):
                raise TypeError()
            componentsschemas_batch_entries_type_1 = cast(list[Any], data)

            return componentsschemas_batch_entries_type_1

        result_next = _parse_result_next(d.pop("result_next"))

        def _parse_result_time(data: object) -> BatchEntriesType0 | list[Any]:
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                componentsschemas_batch_entries_type_0 = BatchEntriesType0.from_dict(data)

                return componentsschemas_batch_entries_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            if not isinstance(data, list):
                raise TypeError()
            componentsschemas_batch_entries_type_1 = cast(list[Any], data)

            return componentsschemas_batch_entries_type_1

        result_time = _parse_result_time(d.pop("result_time"))

        batch_result = cls(
            result=result,
            result_error=result_error,
            result_total=result_total,
            result_next=result_next,
            result_time=result_time,
        )

        batch_result.additional_properties = d
        return batch_result

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
