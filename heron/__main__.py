"""`python -m heron ...` runs the same CLI as the `heron` console script."""
from heron.cli import app_main

if __name__ == "__main__":
    app_main()
