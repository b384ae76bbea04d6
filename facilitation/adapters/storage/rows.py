"""Domain objects written as rows and read back, one way for every table."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import fields
from typing import Any, TypeVar

Model = TypeVar("Model")


def to_model(model: type[Model], row: Any, **converted: Any) -> Model:
    """A `model` dataclass whose fields come from the row's columns of the same name, except those
    given in `converted` (an enum, a value built from several columns, a default kept on purpose).

    A field whose column the row lacks raises AttributeError: a column left out of a query must not
    pass for the field's default."""
    from_row = {
        field.name: getattr(row, field.name) for field in fields(model) if field.name not in converted
    }
    return model(**from_row, **converted)


def to_row(record: Any, *, leave_out: Iterable[str] = (), **converted: Any) -> dict[str, Any]:
    """The column values of a dataclass `record`: each field under its own name, except those in
    `leave_out` (no column of that name, or a column the insert leaves to its default), with
    `converted` replacing or adding values (an enum's value, a value spread over several columns)."""
    values = {
        field.name: getattr(record, field.name) for field in fields(record) if field.name not in leave_out
    }
    return values | converted
