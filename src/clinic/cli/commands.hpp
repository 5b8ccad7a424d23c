#pragma once

#include <ostream>
#include <string>

#include "clinic/service/demo_data.hpp"

namespace clinic::cli {

// How clinicctl reports its results to the operator (plain text on stdout).

std::string VersionText();
void PrintDemoSummary(const service::DemoSummary& summary, std::ostream& out);

}  // namespace clinic::cli
