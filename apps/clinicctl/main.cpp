#include "clinic/app/clinicctl.hpp"

int main(int argc, char** argv) { return clinic::app::ClinicctlMain(argc, argv); }
