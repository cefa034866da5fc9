"""The ``chaleur`` sub-commands, one module per subject."""
