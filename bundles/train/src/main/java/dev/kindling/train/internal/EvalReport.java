package dev.kindling.train.internal;

import dev.kindling.train.EvalResult;

import java.util.List;

/** {@code kindling:eval}: the model evaluated, on which data, the metrics, and the dataset's class names. */
record EvalReport(ModelFiles.Loaded model, String dataset, String split, EvalResult result, List<String> classes) {}
