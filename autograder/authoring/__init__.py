"""Tools for course authors: lint an assignment, prove its checks by mutation."""
