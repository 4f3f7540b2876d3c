"""cape-study: a research environment for the CAPE study of forced-labour case attrition."""

__version__ = "0.1.0"
