__title__ = "heron"
__version__ = "0.1.0"
