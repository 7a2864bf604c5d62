#include "config.h"

#include "report.h"

int main(int argc, char **argv)
{
	return hpcp_report_main(argc, argv);
}
