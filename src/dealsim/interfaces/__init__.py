"""The edges: scenario files and their JSON Schema, result files (atomic, checked)
and the command line.

Layer 9 of 9 (the top; :mod:`dealsim.presets` is layer 8). May import every layer.
"""
