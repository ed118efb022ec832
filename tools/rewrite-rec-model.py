#!/usr/bin/python3
"""Rewrite PaddleOCR's PP-OCRv4 recognition ONNX model so OpenCV 4.6 dnn loads it.

OpenCV 4.6 refuses two things in the published model:
  - the dynamic input [N,3,48,W]: its Shape ops then give "dynamic 'zero'
    shapes are not supported", so the input is fixed to [1,3,48,width];
  - the 1-D constants (layer-norm scale/shift, linear biases) added to or
    multiplied with [1,T,C] tensors fail a broadcast assertion, so they are
    expanded to [1,T,C], where T = width / 8 is the model's time steps.
Run with Debian's python3-onnx: usage: rewrite-rec-model.py IN OUT WIDTH
"""
import sys

import numpy as np
import onnx
from onnx import numpy_helper


def main():
    if len(sys.argv) != 4:
        sys.exit("usage: rewrite-rec-model.py IN.onnx OUT.onnx WIDTH")
    src, dst, width = sys.argv[1], sys.argv[2], int(sys.argv[3])
    if width <= 0 or width % 8:
        sys.exit("WIDTH must be a positive multiple of 8")
    steps = width // 8
    model = onnx.load(src)
    graph = model.graph
    dims = graph.input[0].type.tensor_type.shape.dim
    if len(dims) != 4 or dims[1].dim_value != 3 or dims[2].dim_value != 48:
        sys.exit("%s: not a [N,3,48,W] recognition model" % src)
    dims[0].dim_value = 1
    dims[3].dim_value = width

    consts = {n.output[0]: n for n in graph.node if n.op_type == "Constant"}
    feeds = set()
    for node in graph.node:
        if node.op_type not in ("Mul", "Add"):
            continue
        for name in node.input:
            c = consts.get(name)
            if c is None:
                continue
            arr = numpy_helper.to_array(c.attribute[0].t)
            if arr.ndim == 1 and arr.size > 1:
                feeds.add(name)
    for name in sorted(feeds):
        c = consts[name]
        arr = numpy_helper.to_array(c.attribute[0].t)
        big = np.ascontiguousarray(np.broadcast_to(arr, (1, steps, arr.size)))
        c.attribute[0].t.CopyFrom(numpy_helper.from_array(big, name=c.attribute[0].t.name))
    if not feeds:
        sys.exit("%s: no 1-D layer-norm constants found: not the expected model" % src)
    onnx.checker.check_model(model)
    onnx.save(model, dst)
    print("%s: input [1,3,48,%d], %d constants expanded to [1,%d,C]"
          % (dst, width, len(feeds), steps))


if __name__ == "__main__":
    main()
