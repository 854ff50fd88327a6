"""`python -m kt_workshop` runs the kt-workshop command."""

from kt_workshop.cli import main

main()
