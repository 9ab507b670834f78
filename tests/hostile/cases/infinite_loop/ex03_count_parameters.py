"""Hostile: an infinite loop in every function."""


def count_parameters(model, trainable_only=False):
    while True:
        pass


def freeze(model, prefixes):
    while True:
        pass


def build_vgg16(num_classes=1000):
    n = 0
    while True:
        n += 1
