"""``python -m twin`` runs the same as the ``twin`` command."""

from twin.commands import twin

if __name__ == "__main__":  # importing the module (pytest --doctest-modules) runs nothing
    twin()
