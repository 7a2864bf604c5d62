#include "config.h"

#include "report.h"

int main(int argc, char **argv)
{
	/* The umask, for the report's mode: see hpcp/report.h. */
	hpcp_publish_init();
	return hpcp_report_main(argc, argv);
}
