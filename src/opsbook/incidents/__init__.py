"""The incident lifecycle: declaring, updating and resolving incidents, their
communications, postmortem scaffolding and action items.

Engines here are pure functions of the model and an explicit ``now``; the
only module that touches files is ``yamledit`` (ruamel.yaml's edits spliced
back into the original lines, so a person's comments and layout stay byte for
byte, written atomically).
"""
