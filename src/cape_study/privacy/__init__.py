"""Privacy: identity numbers, pseudonymisation keys, masking, scanning of outputs, and
disclosure control.
"""
