/*!40101 SET @OLD_CHARACTER_SET_CLIENT=@@CHARACTER_SET_CLIENT */;
/*!40101 SET NAMES utf8mb4 */;
/*! SET @plain = 'no version; still runs' */;
/*M!100101 SET @mariadb_only = 1 */;
CREATE TABLE ec (
  id int PRIMARY KEY
) /*!50100 ENGINE=InnoDB */ /*!40101 DEFAULT CHARSET=utf8mb4 */;
INSERT /*! IGNORE */ INTO ec VALUES (1), (1);
SELECT /*+ MAX_EXECUTION_TIME(1000) */ id FROM ec;
/* a plain comment */ SELECT @plain, @mariadb_only;
/*!40101 SET CHARACTER_SET_CLIENT=@OLD_CHARACTER_SET_CLIENT */;
