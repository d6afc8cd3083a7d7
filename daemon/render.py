"""Rendering the emails: Jinja2 templates shipped with the package, overridable one by one.

A message kind is two files, ``<audience>/<kind>.txt.j2`` and ``.html.j2``; the
text file's first line is ``Subject: ...`` followed by an empty line
(docs/templates.md). A configured directory is searched first, so an admin can
override a single template by giving it the same relative name.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jinja2 import ChoiceLoader, Environment, FileSystemLoader, PackageLoader, StrictUndefined, select_autoescape

from escalated.daemon.errors import BadInputError

KINDS = (
    "customer/acknowledgement",
    "customer/rejection-no-case-number",
    "customer/rejection-no-open-case",
    "customer/rejection-not-allowed",
    "customer/not-an-escalation",
    "managers/notification",
    "managers/follow-up",
    "admin/quarantine-notice",
)


@dataclass(frozen=True)
class RenderedEmail:
    subject: str
    text: str
    html: str


class Renderer:
    """Renders a message kind with a context into subject, plain text and HTML."""

    def __init__(self, override_directory: Path | None = None) -> None:
        loaders = []
        if override_directory is not None:
            loaders.append(FileSystemLoader(str(override_directory)))
        loaders.append(PackageLoader("escalated.templates", "."))
        self.environment = Environment(
            loader=ChoiceLoader(loaders),
            undefined=StrictUndefined,
            autoescape=select_autoescape(enabled_extensions=("html.j2",), default_for_string=False),
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=True,
        )

    def render(self, kind: str, context: dict[str, Any]) -> RenderedEmail:
        """Render ``kind`` (e.g. ``customer/acknowledgement``); a broken template raises BadInputError."""
        text = self.environment.get_template(f"{kind}.txt.j2").render(context)
        html = self.environment.get_template(f"{kind}.html.j2").render(context)
        first, _, body = text.partition("\n")
        if not first.lower().startswith("subject:"):
            raise BadInputError(f"template {kind}.txt.j2 must start with a 'Subject:' line")
        subject = " ".join(first[len("subject:"):].split())
        return RenderedEmail(subject=subject, text=body.lstrip("\n"), html=html)

    def check(self, context: dict[str, Any]) -> None:
        """Render every kind once (start-up check, so a broken override fails early)."""
        for kind in KINDS:
            self.render(kind, context)
