"""Stage: rendering notices and forms from case files through the Word templates in templates_docx/."""

from docgen.render.batch import BatchResult
from docgen.render.numbers import Register
from docgen.render.registry import Registry, TemplateSpec, load_registry
from docgen.render.stream import render_batch, render_files

__all__ = ["BatchResult", "Register", "Registry", "TemplateSpec", "load_registry", "render_batch", "render_files"]
