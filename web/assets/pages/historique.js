// page module
