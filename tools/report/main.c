#include "config.h"

int hpcp_report_main(int argc, char **argv);

int main(int argc, char **argv)
{
	return hpcp_report_main(argc, argv);
}
