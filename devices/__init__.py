"""Devices: printers, scanners and ticket rendering, each a small interface, a real driver and a stand-in."""
