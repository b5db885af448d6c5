#ifndef SWITCHBOARD_CLIBFUZZER_H
#define SWITCHBOARD_CLIBFUZZER_H

#include <stddef.h>
#include <stdint.h>

/// libFuzzer's entry point for programs that have their own `main` (libFuzzer's FuzzerInterface.h). SwiftPM gives
/// every executable a `main` of its own, so the harnesses call this instead of linking libFuzzer's `main`.
int LLVMFuzzerRunDriver(int *argc, char ***argv, int (*callback)(const uint8_t *data, size_t size));

#endif
