#!/usr/bin/env python3
"""Reads a directory of Kindling-written TensorBoard event files with TensorBoard's own EventAccumulator and prints
the scalar curves: /usr/bin/python3 verify_tfevents.py LOGDIR (needs the tensorboard, protobuf, absl-py, six and
packaging wheels on PYTHONPATH). Not used by CI; the Java test checks framing and CRCs itself."""
import sys

from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

ea = EventAccumulator(sys.argv[1])
ea.Reload()
for tag in ea.Tags()["scalars"]:
    print(tag, [(e.step, round(e.value, 6)) for e in ea.Scalars(tag)])
