#include "clinic/app/clinicd.hpp"

int main(int argc, char** argv) { return clinic::app::ClinicdMain(argc, argv); }
