"""Typed models, one module per kind of file (see DESIGN.md section 3)."""
