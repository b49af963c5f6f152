"""Mediation as a stage of the case process: its one registration."""

from __future__ import annotations

from workflows.stages import Stage, register_stage


def register() -> None:
    register_stage(Stage(name="sessions"))
