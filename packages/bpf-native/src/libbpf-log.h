// Captures libbpf's log lines so failures can be reported with the kernel verifier's reason
// instead of being printed to stderr.
#pragma once
#include <string>

namespace httpwatcher {

void InstallLibbpfLogCapture();
// Starts a capture window; the returned text holds libbpf warnings emitted since.
void ClearLibbpfLog();
std::string TakeLibbpfLog();

}  // namespace httpwatcher
