"""``python -m twin`` runs the same as the ``twin`` command."""

from twin.cli import main

if __name__ == "__main__":  # importing the module (pytest --doctest-modules) runs nothing
    main()
