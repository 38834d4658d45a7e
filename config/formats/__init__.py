"""Date formats of our own (``FORMAT_MODULE_PATH``), where Django's defaults do not fit."""
