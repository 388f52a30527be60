from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.batch_halt_type_1 import BatchHaltType1
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.batch_commands_type_0 import BatchCommandsType0


T = TypeVar("T", bound="BatchRequest")


@_attrs_define
class BatchRequest:
    """Parameters of batch (docs settings/how-to-call-rest-api/batch.md).

    Attributes:
        cmd (BatchCommandsType0 | list[str]): The commands: a map of command names to commands, or a list (numeric names
            0, 1, ...). At most 50 (D-BATCH-LENGTH).
        halt (BatchHaltType1 | bool | Unset): Stop at the first failing command; true/false or 1/0 (docs batch.md).
            Default false.
    """

    cmd: BatchCommandsType0 | list[str]
    halt: BatchHaltType1 | bool | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.batch_commands_type_0 import BatchCommandsType0

        cmd: dict[str, Any] | list[str]
        if isinstance(self.cmd, BatchCommandsType0):
            cmd = self.cmd.to_dict()
        else:
            cmd = self.cmd

        halt: bool | int | Unset
        if isinstance(self.halt, Unset):
            halt = UNSET
        elif isinstance(self.halt, BatchHaltType1):
            halt = self.halt.value
        else:
            halt = self.halt

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "cmd": cmd,
            }
        )
        if halt is not UNSET:
            field_dict["halt"] = halt

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.batch_commands_type_0 import BatchCommandsType0

        d = dict(src_dict)

        def _parse_cmd(data: object) -> BatchCommandsType0 | list[str]:
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                componentsschemas_batch_commands_type_0 = BatchCommandsType0.from_dict(data)

                return componentsschemas_batch_commands_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            if not isinstance(data, list):
                raise TypeError()
            componentsschemas_batch_commands_type_1 = cast(list[str], data)

            return componentsschemas_batch_commands_type_1

        cmd = _parse_cmd(d.pop("cmd"))

        def _parse_halt(data: object) -> BatchHaltType1 | bool | Unset:
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, int):
                    raise TypeError()
                componentsschemas_batch_halt_type_1 = BatchHaltType1(data)

                return componentsschemas_batch_halt_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(BatchHaltType1 | bool | Unset, data)

        halt = _parse_halt(d.pop("halt", UNSET))

        batch_request = cls(
            cmd=cmd,
            halt=halt,
        )

        batch_request.additional_properties = d
        return batch_request

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
