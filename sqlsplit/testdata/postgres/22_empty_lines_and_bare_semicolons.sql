

;
  ;;  

CREATE TABLE el (id int);


;
	
INSERT INTO el VALUES (1);;;

  
