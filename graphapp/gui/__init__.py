"""The desktop editor (PySide6). The only package that imports Qt; it does no maths: the
engine computes, this shows and sends edits back as undo commands."""
