"""Model assistance: edge following, ONNX segmenters and detectors, suggestions.

Everything here is Qt-free and network-free. OpenCV does the edge following, so that part
always works; the ONNX models need the optional ``onnxruntime`` (``pip install
limner[assist]``), and :func:`~limner.models.assist.runtime.missing_reason` says in words
why they are unavailable, for the window to put in a greyed-out tool's tooltip.
"""
