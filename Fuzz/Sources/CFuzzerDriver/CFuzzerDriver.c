// Header-only module: LLVMFuzzerRunDriver lives in the libFuzzer runtime that -sanitize=fuzzer links.
#include "CFuzzerDriver.h"
