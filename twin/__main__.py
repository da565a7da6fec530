"""``python -m twin`` runs the same as the ``twin`` command."""

from twin.cli import main

main()
