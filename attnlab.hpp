// attnlab: one include for the whole public API.
#pragma once

#include "autograd/array.hpp"
#include "autograd/gradcheck.hpp"
#include "autograd/ops.hpp"
#include "autograd/tape.hpp"
