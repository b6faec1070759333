// attnlab: one include for the whole public API.
#pragma once

#include "autograd/array.hpp"
#include "autograd/gradcheck.hpp"
#include "autograd/ops.hpp"
#include "autograd/tape.hpp"
#include "data/vocab.hpp"
#include "layers/dense.hpp"
#include "layers/embedding.hpp"
#include "layers/lstm.hpp"
#include "models/attention.hpp"
#include "models/checkpoint.hpp"
#include "models/config.hpp"
#include "models/model_io.hpp"
#include "models/score.hpp"
#include "models/seq2seq.hpp"
#include "optim/optimizer.hpp"
