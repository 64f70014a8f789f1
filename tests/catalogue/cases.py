"""The record types of the catalogue of correct alternatives and real mistakes."""

from dataclasses import dataclass
from typing import Callable


@dataclass(frozen=True)
class Alt:
    """A correct implementation of ``function`` written unlike the reference."""

    function: str
    impl: Callable
    style: str


@dataclass(frozen=True)
class Bug:
    """A realistic mistake: ``check`` of ``function`` must fail, and its hint or
    named mistake must contain ``hint`` (case-insensitive; "" = any message)."""

    function: str
    check: str
    impl: Callable
    hint: str
