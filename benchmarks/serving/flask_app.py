"""The seed approach to serving, for comparison: a Flask app that serves the same MLP with PyTorch, as in PyTorch's
"Deploying PyTorch in Python via a REST API with Flask" tutorial, answering the same Open Inference Protocol request
that Kindling answers (so wrk sends both the same body). MODEL names the Kindling model file (Models.save writes a
safetensors file whose keys are nn.Sequential's: 0.weight, 0.bias, 2.weight, 2.bias).

Run: MODEL=.../model.safetensors gunicorn -w 2 -b 127.0.0.1:18090 flask_app:app
"""
import os

import torch
from flask import Flask, jsonify, request
from safetensors.torch import load_file

torch.set_num_threads(1)  # one per gunicorn worker: the workers are the parallelism
model = torch.nn.Sequential(torch.nn.Linear(64, 128), torch.nn.ReLU(), torch.nn.Linear(128, 10))
model.load_state_dict(load_file(os.environ["MODEL"]))
model.eval()

app = Flask(__name__)


@app.post("/v2/models/mlp/infer")
def infer():
    body = request.get_json()
    tensor = body["inputs"][0]
    x = torch.tensor(tensor["data"], dtype=torch.float32).reshape(tensor["shape"])
    with torch.no_grad():
        y = model(x)
    return jsonify({"model_name": "mlp", "outputs": [
        {"name": "output", "datatype": "FP32", "shape": list(y.shape), "data": y.flatten().tolist()}]})
