// placeholder
#include "support/check.hpp"
