#define BOOST_TEST_MODULE metrics_integration
#include <boost/test/unit_test.hpp>
