"""Access to the data files shipped inside the package (schemas, default ledger mapping)."""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any

import yaml


def data_text(name: str) -> str:
    """The text of a file in ``docgen/data``."""
    return resources.files("docgen").joinpath("data").joinpath(name).read_text(encoding="utf-8")


@cache
def data_json(name: str) -> Any:
    """A JSON file in ``docgen/data``, parsed once per process."""
    return json.loads(data_text(name))


@cache
def data_yaml(name: str) -> Any:
    """A YAML file in ``docgen/data``, parsed once per process."""
    return yaml.safe_load(data_text(name))
