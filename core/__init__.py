"""Shared kernel of Vor Ort: database, actors and roles, permissions, audit, crypto primitives."""
